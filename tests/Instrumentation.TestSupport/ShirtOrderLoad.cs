using System.Net;

namespace Instrumentation.TestSupport;

/// <summary>
/// Parallel orders to the sample's <c>POST /style/{id}/order</c>, whose handler adds the shirts ordered to the custom
/// counter <c>shirts_ordered</c> (tag <c>payment</c>: card, cash; anything else folds into other). Every sink's custom
/// metric test sends this load and expects these totals.
/// </summary>
public static class ShirtOrderLoad
{
    public const int Requests = 90;

    /// <summary>Shirts ordered per payment value as the sinks must report them.</summary>
    public static IReadOnlyDictionary<string, long> Expected { get; } = new Dictionary<string, long>
    {
        ["card"] = 30 * 2,
        ["cash"] = 30 * 1,
        ["other"] = 30 * 3,
    };

    /// <summary>Sends every order, many at a time, and checks each was accepted.</summary>
    public static async Task SendAsync(HttpClient client)
    {
        await Task.WhenAll(Enumerable.Range(0, Requests).Select(async i =>
        {
            // A third pay by card (2 shirts), a third cash (1), a third with a method nobody declared (3 shirts).
            var (payment, count) = (i % 3) switch
            {
                0 => ("card", 2),
                1 => ("cash", 1),
                _ => ("bitcoin", 3),
            };
            using var response = await client.PostAsync($"/style/{i}/order?count={count}&payment={payment}", null);
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                throw new InvalidOperationException($"order {i}: {response.StatusCode}");
            }
        }));
    }
}
