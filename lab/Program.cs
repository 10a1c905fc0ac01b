using System.CommandLine;
using System.Reflection;
using SecureTransmit.Lab.Commands;

var root = new RootCommand("lab — convert images, train and evaluate models, reproduce the papers, analyze the cipher, measure bandwidth");
// Every static class marked [LabCommand] contributes one sub-command through its `static Command Create()`.
foreach (var type in typeof(LabCommandAttribute).Assembly.GetTypes()
             .Where(t => t.GetCustomAttribute<LabCommandAttribute>() is not null)
             .OrderBy(t => t.GetCustomAttribute<LabCommandAttribute>()!.Order))
{
    var create = type.GetMethod("Create", BindingFlags.Public | BindingFlags.Static, Type.EmptyTypes)
        ?? throw new InvalidOperationException($"{type.Name} is marked [LabCommand] but has no public static Create()");
    root.Add((Command)create.Invoke(null, null)!);
}
return await Cli.RunAsync(root, args);
