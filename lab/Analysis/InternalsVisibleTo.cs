using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("SecureTransmit.Lab.Tests")]
