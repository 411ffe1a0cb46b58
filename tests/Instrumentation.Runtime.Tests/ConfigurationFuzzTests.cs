using System.Collections;
using System.Reflection;
using Instrumentation.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Instrumentation.Runtime.Tests;

/// <summary>
/// Every key of the <c>Instrumentation</c> section, found by walking the options types (so a key added later is fuzzed
/// too), given a wrong type, a negative, an empty string and a huge value: the application either starts (the value is
/// acceptable) or fails at startup with a message that names the key. Never an exception from deep inside that leaves
/// the user guessing which setting was wrong.
/// </summary>
public sealed class ConfigurationFuzzTests(ITestOutputHelper output)
{
    private static readonly string Huge = new('x', 100_000);

    [Fact]
    public async Task Every_key_given_a_bad_value_starts_or_fails_naming_the_key()
    {
        var keys = Leaves(typeof(InstrumentationOptions), InstrumentationOptions.SectionName).ToList();
        Assert.True(keys.Count > 40, $"only {keys.Count} keys found: the walk missed the section's structure");

        var violations = new List<string>();
        var cases = 0;
        foreach (var (key, type) in keys)
        {
            foreach (var (value, mustFail) in BadValues(type))
            {
                cases++;
                var outcome = await TryStart(key, value);
                var shown = value.Length > 20 ? $"<{value.Length} chars>" : $"'{value}'";
                if (outcome is { } failure && !Names(failure, key))
                {
                    violations.Add($"{key} = {shown}: failed without naming the key: {failure.GetType().Name}: {Message(failure).Split('\n')[0]}");
                }
                else if (outcome is null && mustFail)
                {
                    violations.Add($"{key} = {shown}: accepted, but it cannot be a valid {Describe(type)}");
                }
            }
        }

        output.WriteLine($"{keys.Count} keys, {cases} bad values");
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    // What each type of setting is given; true where no reading of the value can be valid.
    private static IEnumerable<(string Value, bool MustFail)> BadValues(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying == typeof(string))
        {
            yield return ("", false);
            yield return ("   ", false);
            yield return (Huge, false);
        }
        else if (underlying == typeof(bool))
        {
            yield return ("maybe", true);
        }
        else if (underlying.IsEnum)
        {
            yield return ("Nonsense", true);
            yield return ("7", true); // a number the enum does not define: the binder would take it as is
        }
        else if (underlying == typeof(int) || underlying == typeof(long) || underlying == typeof(double))
        {
            yield return ("abc", true);
            yield return ("-1", true);
            // Out of range for an integer; for a double (a bucket bound, a rate) merely large, which may be meant.
            yield return ("99999999999999999999999", underlying != typeof(double));
        }
        else
        {
            throw new InvalidOperationException($"No bad values for {type}: add them here.");
        }
    }

    private static async Task<Exception?> TryStart(string key, string value)
    {
        try
        {
            await using var app = await TestApp.StartAsync(a => a.UseInstrumentation(), settings: new Dictionary<string, string?> { [key] = value });
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    // A list or dictionary element is named by its collection's key (Buckets:0 by Buckets).
    private static bool Names(Exception failure, string key) =>
        Message(failure).Contains(key[..(key.EndsWith(":0", StringComparison.Ordinal) || key.EndsWith(":probe", StringComparison.Ordinal) ? key.LastIndexOf(':') : key.Length)], StringComparison.OrdinalIgnoreCase);

    private static string Message(Exception failure) => failure switch
    {
        OptionsValidationException validation => string.Join("\n", validation.Failures),
        AggregateException aggregate => string.Join("\n", aggregate.InnerExceptions.Select(Message)),
        _ => failure.Message + (failure.InnerException is { } inner ? "\n" + Message(inner) : ""),
    };

    private static string Describe(Type type) => (Nullable.GetUnderlyingType(type) ?? type).Name;

    // The configuration keys of an options type: its settable public properties, into nested option classes, and the
    // first element of a list (index 0) or a dictionary entry (key "probe"). Delegates are code-only settings.
    private static IEnumerable<(string Key, Type Type)> Leaves(Type type, string prefix)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            var key = $"{prefix}:{property.Name}";
            var propertyType = property.PropertyType;
            if (typeof(Delegate).IsAssignableFrom(propertyType))
            {
                continue;
            }

            if (propertyType.IsArray)
            {
                yield return ($"{key}:0", propertyType.GetElementType()!);
            }
            else if (propertyType.IsGenericType && propertyType.GetGenericTypeDefinition() == typeof(Dictionary<,>))
            {
                yield return ($"{key}:probe", propertyType.GetGenericArguments()[1]);
            }
            else if (propertyType.IsGenericType && typeof(IEnumerable).IsAssignableFrom(propertyType))
            {
                yield return ($"{key}:0", propertyType.GetGenericArguments()[0]);
            }
            else if (propertyType.IsClass && propertyType != typeof(string))
            {
                foreach (var leaf in Leaves(propertyType, key))
                {
                    yield return leaf;
                }
            }
            else
            {
                yield return (key, propertyType);
            }
        }
    }
}
