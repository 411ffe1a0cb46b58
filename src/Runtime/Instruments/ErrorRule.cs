namespace Instrumentation.Instruments;

/// <summary>What counts as an error, decided once per status code at startup so the request path only indexes.</summary>
internal sealed class ErrorRule
{
    private readonly bool[] table = new bool[600];

    /// <summary>Builds the table from a predicate over status codes.</summary>
    public ErrorRule(Func<int, bool> isError)
    {
        ArgumentNullException.ThrowIfNull(isError);
        for (var code = 0; code < table.Length; code++)
        {
            table[code] = isError(code);
        }
    }

    /// <summary>Whether a status code counts as an error.</summary>
    public bool IsError(int statusCode) => (uint)statusCode < (uint)table.Length ? table[statusCode] : statusCode >= 400;
}
