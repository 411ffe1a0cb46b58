namespace Instrumentation.Generator.Model;

/// <summary>A route template split the way ASP.NET Core's route parser splits it.</summary>
internal sealed record RouteTemplate(string Text, EquatableArray<RouteTemplateSegment> Segments);

internal sealed record RouteTemplateSegment(EquatableArray<RouteTemplatePart> Parts);

internal enum RoutePartKind
{
    Literal,
    Parameter,
}

/// <param name="Text">Literal text with <c>{{</c>/<c>}}</c> unescaped, or the parameter name.</param>
/// <param name="Constraints">Constraint references as written, arguments included: <c>min(1)</c>.</param>
/// <param name="EncodesSlashes">A catch-all written <c>{*x}</c> rather than <c>{**x}</c>.</param>
/// <param name="Start">Offset of the part in <see cref="RouteTemplate.Text"/>, braces included, so it can be substituted.</param>
internal sealed record RouteTemplatePart(
    RoutePartKind Kind,
    string Text,
    EquatableArray<string> Constraints,
    string? DefaultValue,
    bool IsOptional,
    bool IsCatchAll,
    bool EncodesSlashes,
    int Start,
    int Length)
{
    public bool IsParameter => Kind == RoutePartKind.Parameter;
}
