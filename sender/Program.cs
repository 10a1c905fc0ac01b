using System.CommandLine;
using SecureTransmit.Sender;

var root = new RootCommand("sender — compresses images with a learned encoder, seals the latent and streams it to a receiver over gRPC");
root.Add(SenderCommands.Keygen());
root.Add(SenderCommands.Send());
return await SenderCommands.RunAsync(root, args);
