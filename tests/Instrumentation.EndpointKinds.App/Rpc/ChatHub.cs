using Microsoft.AspNetCore.SignalR;

namespace Instrumentation.EndpointKinds.App.Rpc;

/// <summary>A hub with a method that answers, one that throws, and one invoked under another name.</summary>
public sealed class ChatHub : Hub
{
    public string Send(string message) => "echo " + message;

    public void Fail() => throw new HubException("this method always fails");

    [HubMethodName("shout")]
    public string Shout(string message) => message.ToUpperInvariant();
}
