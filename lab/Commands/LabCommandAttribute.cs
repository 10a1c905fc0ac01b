namespace SecureTransmit.Lab.Commands;

/// <summary>Marks a static class with a <c>public static Command Create()</c> as a <c>lab</c> sub-command; <see cref="Order"/> sorts the help.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
internal sealed class LabCommandAttribute(int order) : Attribute
{
    public int Order { get; } = order;
}
