using System.Collections.Immutable;
using Instrumentation.Generator.Model;
using Instrumentation.Naming;

namespace Instrumentation.Generator.Parsing.Kinds;

/// <summary>
/// Turns Razor Pages and routable components into endpoints: each page paired with its model (its markers and handler
/// methods), each component with its routes. Pure and order-independent, like the rest of the resolution.
/// </summary>
internal static class RazorResolver
{
    // What Razor component endpoints accept: GET to render, POST for forms.
    private static readonly HttpMethodSet ComponentMethods = new(new[] { "GET", "POST" }.ToEquatableArray());

    /// <param name="mappings">The conventions of the <c>MapRazorPages</c>/<c>MapRazorComponents</c> calls, which win over the classes' markers.</param>
    public static List<RazorEndpoint> Resolve(ImmutableArray<RazorFileSpec> files, ImmutableArray<RazorClassSpec> classes, bool assemblyInstrumented, RazorMappings mappings)
    {
        var endpoints = new List<RazorEndpoint>();
        foreach (var file in files)
        {
            if (file.Kind == EndpointKind.Page)
            {
                endpoints.AddRange(ForPage(file, ModelOf(file, classes), assemblyInstrumented, mappings.Pages));
            }
            else
            {
                // A .razor file's code-behind partial class may carry the marker instead of an @attribute directive.
                var partial = classes.FirstOrDefault(type => type.Kind == EndpointKind.Component && PathEquals(type.FilePath, file.FilePath + ".cs"));
                var choice = InstrumentationChoices.Override(InstrumentationChoices.Override(partial?.Choice ?? InstrumentationChoice.Unspecified, file.Choice), mappings.Components);
                endpoints.AddRange(ForComponent(file.Name, file.Routes, choice, assemblyInstrumented, partial?.FullName, file.FilePath));
            }
        }

        foreach (var component in classes.Where(type => type.Kind == EndpointKind.Component && type.Routes.Count > 0))
        {
            endpoints.AddRange(ForComponent(component.Name, component.Routes, InstrumentationChoices.Override(component.Choice, mappings.Components), assemblyInstrumented, component.FullName, component.FilePath));
        }

        return endpoints.Distinct().ToList();
    }

    /// <summary>The endpoints of one page: one per handler, each with the methods it serves.</summary>
    public static IEnumerable<RazorEndpoint> ForPage(RazorFileSpec page, RazorClassSpec? model, bool assemblyInstrumented, InstrumentationChoice convention)
    {
        var template = RouteNaming.NormalizeTemplate(KindNames.PageTemplate(page.Name, page.Routes.FirstOrDefault()));
        var status = RouteTemplateParser.Parse(template) is null ? TemplateStatus.InvalidTemplate : TemplateStatus.Resolved;
        var choice = InstrumentationChoices.Override(InstrumentationChoices.Override(model?.Choice ?? InstrumentationChoice.Unspecified, page.Choice), convention);
        var instrumented = InstrumentationChoices.IsInstrumented(assemblyInstrumented, choice);
        var handlers = model?.Methods.AsImmutableArray() ?? ImmutableArray<string>.Empty;
        return RouteNaming.StandardMethods
            .GroupBy(method => KindNames.PageHandler(page.Name, KindNames.PageHandlerMethod(handlers, method)))
            .Select(group => new RazorEndpoint(
                new EndpointModel(EndpointKind.Page, status == TemplateStatus.Resolved ? template : null, status, group.ToEquatableArray(), group.Key, instrumented),
                model?.FullName,
                page.FilePath));
    }

    private static IEnumerable<RazorEndpoint> ForComponent(string name, EquatableArray<string> routes, InstrumentationChoice choice, bool assemblyInstrumented, string? typeName, string filePath)
    {
        foreach (var route in routes)
        {
            var template = RouteNaming.NormalizeTemplate(route);
            var status = RouteTemplateParser.Parse(template) is null ? TemplateStatus.InvalidTemplate : TemplateStatus.Resolved;
            yield return new RazorEndpoint(
                new EndpointModel(
                    EndpointKind.Component,
                    status == TemplateStatus.Resolved ? template : null,
                    status,
                    RouteNaming.InstrumentedMethods(ComponentMethods),
                    name,
                    InstrumentationChoices.IsInstrumented(assemblyInstrumented, choice)),
                typeName,
                filePath);
        }
    }

    /// <summary>
    /// The page's model: its code-behind class (<c>X.cshtml.cs</c>) when that is the <c>@model</c>, else the page model
    /// class the <c>@model</c> name designates. Many pages have an <c>IndexModel</c>: a simple name resolves, as in the
    /// page's generated code, in the namespace Razor gives the page, which ends with the page's folders
    /// (<c>Shop.Pages.Orders</c> for <c>Pages/Orders</c>), so the candidate whose namespace ends with most of them wins.
    /// </summary>
    private static RazorClassSpec? ModelOf(RazorFileSpec page, ImmutableArray<RazorClassSpec> classes)
    {
        if (page.ModelName is not { Length: > 0 } written)
        {
            return null;
        }

        var simple = written.Substring(written.LastIndexOf('.') + 1);
        var models = classes.Where(type => type.Kind == EndpointKind.Page && type.Name == simple).ToList();
        if (models.FirstOrDefault(type => PathEquals(type.FilePath, page.FilePath + ".cs")) is { } codeBehind)
        {
            return codeBehind;
        }

        var named = written.Contains('.') ? models.Where(type => type.FullName == written || type.FullName.EndsWith("." + written, StringComparison.Ordinal)).ToList() : models;
        var folders = page.Folder.Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries);
        return named
            .OrderByDescending(type => TrailingMatches(type.FullName.Substring(0, Math.Max(0, type.FullName.Length - type.Name.Length - 1)).Split('.'), folders))
            .ThenBy(type => type.FullName, StringComparer.Ordinal)
            .FirstOrDefault();
    }

    private static int TrailingMatches(string[] namespaceParts, string[] folders)
    {
        var count = 0;
        while (count < namespaceParts.Length && count < folders.Length
            && string.Equals(namespaceParts[namespaceParts.Length - 1 - count], folders[folders.Length - 1 - count], StringComparison.OrdinalIgnoreCase))
        {
            count++;
        }

        return count;
    }

    private static bool PathEquals(string x, string y) =>
        string.Equals(x.Replace('\\', '/'), y.Replace('\\', '/'), StringComparison.OrdinalIgnoreCase);

    /// <summary>The resolved endpoints in catalog order, ordinary routes and Razor endpoints together.</summary>
    public static EquatableArray<EndpointModel> Merge(EquatableArray<EndpointModel> routes, IEnumerable<RazorEndpoint> razor) =>
        routes.Concat(razor.Select(endpoint => endpoint.Endpoint)).OrderBy(endpoint => endpoint, EndpointOrder.Instance).ToEquatableArray();
}

/// <summary>A Razor endpoint and where the analyzers report it: its class when it has one, else its file.</summary>
internal sealed record RazorEndpoint(EndpointModel Endpoint, string? TypeName, string FilePath);
