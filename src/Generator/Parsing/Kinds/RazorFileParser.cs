using System.Text.RegularExpressions;
using Instrumentation.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Instrumentation.Generator.Parsing.Kinds;

/// <summary>
/// Reads the directives of Razor files the project passes to generators as additional files: a <c>.cshtml</c> Razor
/// Page (<c>@page</c>, <c>@model</c>) or a routable <c>.razor</c> component (<c>@page</c>, one per route), and the
/// <c>@attribute [Instrumented]</c>/<c>[NotInstrumented]</c> markers either may carry. The Razor compiler's own output
/// is invisible to other generators, so the directives are read from the text.
/// </summary>
internal static class RazorFileParser
{
    private const string PagesFolder = "Pages";
    private const string AreasFolder = "Areas";

    private static readonly Regex Directive = new(@"^\s*@(?<name>page|model|attribute)\b(?<rest>.*)$", RegexOptions.Multiline | RegexOptions.CultureInvariant);
    private static readonly Regex QuotedRoute = new(@"^\s*""(?<route>[^""]*)""", RegexOptions.CultureInvariant);
    private static readonly Regex Marker = new(@"\[\s*(global::)?(Instrumentation\.)?(?<name>NotInstrumented|Instrumented)(Attribute)?\s*[\](]", RegexOptions.CultureInvariant);

    public static bool IsRazorFile(AdditionalText file) =>
        file.Path.EndsWith(".cshtml", StringComparison.OrdinalIgnoreCase) || file.Path.EndsWith(".razor", StringComparison.OrdinalIgnoreCase);

    /// <summary>The file's page or component, or null when it has no <c>@page</c> (a layout, a partial, a plain component).</summary>
    public static RazorFileSpec? Parse(AdditionalText file, string? projectDirectory, CancellationToken cancellationToken) =>
        file.GetText(cancellationToken) is { } text ? Parse(file.Path, text, projectDirectory) : null;

    public static RazorFileSpec? Parse(string path, SourceText text, string? projectDirectory)
    {
        var isPage = path.EndsWith(".cshtml", StringComparison.OrdinalIgnoreCase);
        var routes = new List<string>();
        string? model = null;
        var choice = InstrumentationChoice.Unspecified;
        var hasPage = false;
        foreach (Match directive in Directive.Matches(text.ToString()))
        {
            var rest = directive.Groups["rest"].Value;
            switch (directive.Groups["name"].Value)
            {
                case "page":
                    hasPage = true;
                    var route = QuotedRoute.Match(rest);
                    routes.Add(route.Success ? route.Groups["route"].Value : string.Empty);
                    break;
                case "model":
                    model = rest.Trim().TrimEnd(';');
                    break;
                case "attribute":
                    foreach (Match marker in Marker.Matches(rest))
                    {
                        choice = marker.Groups["name"].Value == "Instrumented" ? InstrumentationChoice.Instrumented : InstrumentationChoice.NotInstrumented;
                    }

                    break;
            }
        }

        if (!hasPage)
        {
            return null;
        }

        var relative = Relative(path, projectDirectory);
        var name = System.IO.Path.GetFileNameWithoutExtension(path);
        if (!isPage)
        {
            return new RazorFileSpec(EndpointKind.Component, path, name, routes.Where(route => route.Length > 0).ToEquatableArray(), null, choice, Folder(relative));
        }

        if (PagePath(relative) is not { } pagePath)
        {
            return null; // a .cshtml with @page outside any pages root: MVC does not route it
        }

        return new RazorFileSpec(EndpointKind.Page, path, pagePath, new[] { routes[0] }.ToEquatableArray(), model, choice, Folder(relative));
    }

    private static string Folder(string relative) =>
        relative.LastIndexOf('/') is var slash and > 0 ? relative.Substring(0, slash) : string.Empty;

    /// <summary>The path relative to the project, '/' separated; from the last pages root when the project is unknown.</summary>
    private static string Relative(string path, string? projectDirectory)
    {
        var normalized = path.Replace('\\', '/');
        if (projectDirectory is { Length: > 0 })
        {
            var root = projectDirectory.Replace('\\', '/').TrimEnd('/') + "/";
            if (normalized.StartsWith(root, StringComparison.OrdinalIgnoreCase))
            {
                return normalized.Substring(root.Length);
            }
        }

        var areas = normalized.LastIndexOf("/" + AreasFolder + "/", StringComparison.Ordinal);
        var pages = normalized.LastIndexOf("/" + PagesFolder + "/", StringComparison.Ordinal);
        var start = areas >= 0 && areas < pages ? areas : pages;
        return start >= 0 ? normalized.Substring(start + 1) : normalized;
    }

    /// <summary>
    /// The page's path as Razor Pages routes it: under <c>Pages/</c>, or <c>/{area}/...</c> under
    /// <c>Areas/{area}/Pages/</c>; without the extension.
    /// </summary>
    private static string? PagePath(string relative)
    {
        var withoutExtension = relative.Substring(0, relative.Length - ".cshtml".Length);
        var segments = withoutExtension.Split('/');
        if (segments.Length > 1 && segments[0] == PagesFolder)
        {
            return "/" + string.Join("/", segments.Skip(1));
        }

        if (segments.Length > 3 && segments[0] == AreasFolder && segments[2] == PagesFolder)
        {
            return "/" + segments[1] + "/" + string.Join("/", segments.Skip(3));
        }

        return null;
    }
}

/// <summary>A Razor Page or routable component file.</summary>
/// <param name="FilePath">The file, to pair a page with its code-behind model (<c>X.cshtml.cs</c>).</param>
/// <param name="Name">The page path (<c>/Orders/Details</c>, an area's pages under <c>/{area}</c>) or the component's name.</param>
/// <param name="Routes">A page's one <c>@page</c> route (empty when it has none); a component's routes.</param>
/// <param name="ModelName">The <c>@model</c> type as written.</param>
/// <param name="Choice">What an <c>@attribute</c> marker says.</param>
/// <param name="Folder">The file's folder relative to the project (<c>Pages/Orders</c>), which Razor's namespaces follow.</param>
internal sealed record RazorFileSpec(
    EndpointKind Kind,
    string FilePath,
    string Name,
    EquatableArray<string> Routes,
    string? ModelName,
    InstrumentationChoice Choice,
    string Folder);
