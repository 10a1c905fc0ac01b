using System.CommandLine;
using SecureTransmit.Receiver;

var root = new RootCommand("receiver — accepts sealed images over gRPC, decrypts, reconstructs and stores them");
root.Add(ReceiverCommands.Keygen());
root.Add(ReceiverCommands.Allow());
root.Add(ReceiverCommands.Revoke());
root.Add(ReceiverCommands.List());
root.Add(ReceiverCommands.Serve());
return await ReceiverCommands.RunAsync(root, args);
