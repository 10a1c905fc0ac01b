using System.Runtime.CompilerServices;

// The dashboard's internals (cipher picture, stats, host check) are tested directly by the integration tests.
[assembly: InternalsVisibleTo("SecureTransmit.Integration.Tests")]
