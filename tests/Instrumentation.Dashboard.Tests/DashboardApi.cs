using System.Net;
using System.Text.Json.Nodes;

namespace Instrumentation.Dashboard.Tests;

/// <summary>Reads the dashboard's JSON as the page does, and waits for what it shows to settle.</summary>
internal static class DashboardApi
{
    public const string Path = "/instrumentation";

    public static async Task<JsonObject> State(HttpClient client)
    {
        using var response = await client.GetAsync(Path + "/api/state");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    /// <summary>Polls the state, as the page does once a second, until <paramref name="done"/> holds; fails with the last state.</summary>
    public static async Task<JsonObject> WaitFor(HttpClient client, Func<JsonObject, bool> done, string what, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        JsonObject state;
        do
        {
            state = await State(client);
            if (done(state))
            {
                return state;
            }

            await Task.Delay(250);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Fail($"the dashboard never showed {what} within {seconds} s; last state: {state.ToJsonString()}");
        return state;
    }

    public static IEnumerable<JsonObject> Routes(JsonObject state) => state["routes"]!.AsArray().Select(r => r!.AsObject());

    public static JsonObject Route(JsonObject state, string method, string template) =>
        Routes(state).Single(r => (string)r["method"]! == method && (string)r["template"]! == template);

    public static JsonObject Sink(JsonObject state, string name) =>
        state["sinks"]!.AsArray().Select(s => s!.AsObject()).Single(s => (string)s["name"]! == name);

    public static async Task Send(HttpClient client, HttpMethod method, string path, int times)
    {
        for (var i = 0; i < times; i++)
        {
            using var request = new HttpRequestMessage(method, path);
            using var response = await client.SendAsync(request);
        }
    }
}
