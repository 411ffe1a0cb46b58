using Microsoft.Extensions.Options;

namespace Instrumentation.Configuration;

/// <summary>
/// A sink's startup check of its own part of the section. Each sink registers one; the options system runs them all
/// and reports every failure together, each naming its key.
/// </summary>
internal abstract class SectionValidator<TSection> : IValidateOptions<InstrumentationOptions>
{
    public ValidateOptionsResult Validate(string? name, InstrumentationOptions options)
    {
        var failures = new List<string>();
        Check(Section(options), failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    protected abstract TSection Section(InstrumentationOptions options);

    /// <summary>Adds one message per problem, naming the key (never a secret's value).</summary>
    protected abstract void Check(TSection section, List<string> failures);
}
