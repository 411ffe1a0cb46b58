namespace Instrumentation.Sinks.Shared;

/// <summary>
/// The one retry policy of every sink (docs/wavefront.md, docs/graphite.md): after a failed send the next attempt
/// waits 1 s, doubling with each further failure up to 30 s; each wait is drawn at random between half and all of
/// that, so many instances that lost the same server do not come back in step. A delivery resets it.
/// </summary>
internal sealed class Backoff
{
    public static readonly TimeSpan First = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Longest = TimeSpan.FromSeconds(30);

    private TimeSpan nominal = First;

    /// <summary>The wait before the next attempt; each call doubles the following one, up to <see cref="Longest"/>.</summary>
    public TimeSpan Next()
    {
        var wait = nominal * (0.5 + (Random.Shared.NextDouble() / 2));
        nominal = nominal * 2 < Longest ? nominal * 2 : Longest;
        return wait;
    }

    public void Reset() => nominal = First;
}
