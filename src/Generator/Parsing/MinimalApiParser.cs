using Instrumentation.Generator.Model;
using Instrumentation.Generator.Parsing.Kinds;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Instrumentation.Generator.Parsing;

/// <summary>Reads <c>MapGet</c>, <c>MapPost</c>, ..., <c>Map</c> and <c>MapMethods</c> calls into endpoint specs.</summary>
internal static class MinimalApiParser
{
    private const string EndpointRouteBuilderExtensions = "EndpointRouteBuilderExtensions";
    private const string MapGroup = "MapGroup";

    /// <summary>The mapping methods and the method each one implies; null means "any" or "read the argument".</summary>
    private static readonly Dictionary<string, string?> MappingMethods = new(StringComparer.Ordinal)
    {
        ["MapGet"] = "GET",
        ["MapPost"] = "POST",
        ["MapPut"] = "PUT",
        ["MapDelete"] = "DELETE",
        ["MapPatch"] = "PATCH",
        ["MapMethods"] = null,
        ["Map"] = null,
    };

    // Runs on every node of every edited file, so it looks at syntax only.
    public static bool IsCandidate(SyntaxNode node, CancellationToken cancellationToken) =>
        node is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access }
        && (MappingMethods.ContainsKey(access.Name.Identifier.ValueText) || FrameworkMappings.IsCandidateName(access.Name.Identifier.ValueText));

    public static MinimalApiEndpointSpec? Parse(InvocationExpressionSyntax call, SemanticModel model, CancellationToken cancellationToken) =>
        ParseWithSite(call, model, cancellationToken)?.Spec;

    /// <summary>
    /// The spec and its pattern argument, where diagnostics about the endpoint go. Only analyzers ask for the site: the
    /// generator's specs carry no position, so edits that only move an endpoint leave them equal.
    /// </summary>
    public static (MinimalApiEndpointSpec Spec, SyntaxNode Pattern)? ParseWithSite(InvocationExpressionSyntax call, SemanticModel model, CancellationToken cancellationToken)
    {
        if (model.GetOperation(call, cancellationToken) is not IInvocationOperation invocation)
        {
            return null;
        }

        var framework = FrameworkMappings.Describe(invocation);
        if (framework is null && !IsEndpointMapping(invocation.TargetMethod))
        {
            return null;
        }

        var patternArgument = framework is null ? KnownSymbols.Argument(invocation, "pattern") : framework.Pattern;
        var receiver = KnownSymbols.Receiver(invocation);
        if ((patternArgument is null && framework?.FixedTemplate is null && framework?.UnderGroupPrefix != true) || receiver is null)
        {
            return null;
        }

        var groupChoices = new List<InstrumentationChoice>();
        var group = ResolveGroup(receiver, model, groupChoices, depth: 0, cancellationToken);
        var pattern = KnownSymbols.ConstantString(patternArgument?.Value);

        string? template = null;
        TemplateStatus status;
        if (framework is { UnderGroupPrefix: true })
        {
            template = group.Prefix is null ? null : RouteNaming.NormalizeTemplate(group.Prefix);
            status = group.Prefix is null ? TemplateStatus.UnresolvedGroupPrefix : TemplateStatus.Resolved;
        }
        else if (framework?.FixedTemplate is { } fixedTemplate)
        {
            // One series whatever the group or pattern: the template is the kind's own.
            template = fixedTemplate;
            status = TemplateStatus.Resolved;
        }
        else if (pattern is null)
        {
            status = TemplateStatus.NonConstantPattern;
        }
        else if (group.Prefix is null)
        {
            status = TemplateStatus.UnresolvedGroupPrefix;
        }
        else
        {
            template = RouteNaming.NormalizeTemplate(group.Prefix.Length == 0 ? pattern : RouteNaming.CombineGroupPrefix(group.Prefix, pattern));
            status = RouteTemplateParser.Parse(template) is null ? TemplateStatus.InvalidTemplate : TemplateStatus.Resolved;
            if (status == TemplateStatus.InvalidTemplate)
            {
                template = null;
            }
        }

        var handler = framework is null ? ReadHandler(invocation) : new Handler(framework.Handler, InstrumentationChoice.Unspecified);

        // Metadata order at run time: group conventions (outermost first), then the handler's attributes, then the
        // endpoint's own conventions.
        var applied = new List<InstrumentationChoice>(groupChoices) { handler.Choice };
        applied.AddRange(BuilderChains.ConventionsAppliedTo(call, model, cancellationToken));
        if (FrameworkMappings.IsAlwaysMeasured(invocation))
        {
            applied.Add(InstrumentationChoice.Instrumented);
        }

        var spec = new MinimalApiEndpointSpec(
            template,
            status,
            framework?.Methods ?? ReadMethods(invocation),
            handler.Name,
            InstrumentationChoices.Last(applied),
            framework?.Kind ?? EndpointKind.MinimalApi);
        // A default pattern argument has no syntax of its own: the call stands for it.
        var site = patternArgument is { IsImplicit: false } ? patternArgument.Syntax : call;
        return (spec, site);
    }

    private static bool IsEndpointMapping(IMethodSymbol method) =>
        MappingMethods.ContainsKey(method.Name)
        && KnownSymbols.Is(method.ContainingType, KnownSymbols.BuilderNamespace, EndpointRouteBuilderExtensions);

    private static bool IsMapGroup(IMethodSymbol method) =>
        method.Name == MapGroup && KnownSymbols.IsRouteGroupBuilder(method.ReturnType);

    private readonly record struct GroupPrefix(string? Prefix);

    /// <summary>
    /// The prefix the groups around <paramref name="builder"/> add, or a null prefix when it cannot be known at build
    /// time. Adds the groups' instrumentation choices to <paramref name="choices"/>, outermost first.
    /// </summary>
    private static GroupPrefix ResolveGroup(IOperation builder, SemanticModel model, List<InstrumentationChoice> choices, int depth, CancellationToken cancellationToken)
    {
        // Deep enough for any real nesting; stops a pathological chain from recursing without bound.
        const int MaximumDepth = 64;
        var operation = KnownSymbols.Unwrap(builder);
        if (depth > MaximumDepth)
        {
            return new GroupPrefix(null);
        }

        switch (operation)
        {
            case IInvocationOperation group when IsMapGroup(group.TargetMethod):
            {
                var outer = KnownSymbols.Receiver(group) is { } receiver
                    ? ResolveGroup(receiver, model, choices, depth + 1, cancellationToken)
                    : new GroupPrefix(null);
                var prefix = KnownSymbols.ConstantString(KnownSymbols.Argument(group, "prefix")?.Value);
                if (outer.Prefix is null || prefix is null)
                {
                    return new GroupPrefix(null);
                }

                return new GroupPrefix(outer.Prefix.Length == 0 ? prefix : RouteNaming.CombineGroupPrefix(outer.Prefix, prefix));
            }

            case IInvocationOperation convention when BuilderChains.IsPassThroughConvention(convention):
            {
                var resolved = KnownSymbols.Receiver(convention) is { } receiver
                    ? ResolveGroup(receiver, model, choices, depth + 1, cancellationToken)
                    : new GroupPrefix(null);
                choices.Add(InstrumentationChoices.FromConvention(convention));
                return resolved;
            }

            case ILocalReferenceOperation reference when KnownSymbols.IsRouteGroupBuilder(reference.Type):
            {
                var use = BuilderChains.FollowLocal(reference.Local, model, cancellationToken);
                if (use.IsReassigned || use.Initializer is null)
                {
                    return new GroupPrefix(null);
                }

                var resolved = ResolveGroup(use.Initializer, model, choices, depth + 1, cancellationToken);
                choices.AddRange(use.Conventions);
                return resolved;
            }

            default:
                // The application itself, or a builder handed in that is not a group: no prefix. A group that arrives
                // any other way (parameter, field, method result) cannot be followed.
                return new GroupPrefix(KnownSymbols.IsRouteGroupBuilder(operation.Type) ? null : string.Empty);
        }
    }

    private static HttpMethodSet ReadMethods(IInvocationOperation invocation)
    {
        if (MappingMethods[invocation.TargetMethod.Name] is { } single)
        {
            return new HttpMethodSet(new[] { single }.ToEquatableArray());
        }

        if (KnownSymbols.Argument(invocation, "httpMethods") is not { } argument)
        {
            return HttpMethodSet.Any;
        }

        var elements = KnownSymbols.Unwrap(argument.Value) switch
        {
            IArrayCreationOperation { Initializer: { } initializer } => initializer.ElementValues,
            ICollectionExpressionOperation collection => collection.Elements,
            _ => default,
        };

        var methods = new List<string>();
        if (elements.IsDefault)
        {
            return HttpMethodSet.Any;
        }

        foreach (var element in elements)
        {
            var method = ReadMethodName(KnownSymbols.Unwrap(element));
            if (method is null)
            {
                // One unknown method makes the set unknown: instrument every standard method rather than miss one.
                return HttpMethodSet.Any;
            }

            methods.Add(method.ToUpperInvariant());
        }

        return new HttpMethodSet(methods.ToEquatableArray());
    }

    private static string? ReadMethodName(IOperation element) =>
        KnownSymbols.ConstantString(element) ?? (element is IFieldReferenceOperation { Field: { IsStatic: true } field }
            && KnownSymbols.Is(field.ContainingType, KnownSymbols.HttpNamespace, "HttpMethods")
                ? field.Name
                : null);

    private readonly record struct Handler(string? Name, InstrumentationChoice Choice);

    private static Handler ReadHandler(IInvocationOperation invocation)
    {
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter is not { } parameter
                || !(KnownSymbols.Is(parameter.Type, "System", "Delegate") || KnownSymbols.Is(parameter.Type, KnownSymbols.HttpNamespace, "RequestDelegate")))
            {
                continue;
            }

            var value = KnownSymbols.Unwrap(argument.Value);
            if (value is IDelegateCreationOperation creation)
            {
                value = KnownSymbols.Unwrap(creation.Target);
            }

            return value switch
            {
                IAnonymousFunctionOperation lambda => new Handler(null, InstrumentationChoices.FromAttributes(lambda.Symbol.GetAttributes())),
                IMethodReferenceOperation reference => new Handler(reference.Method.Name, InstrumentationChoices.FromAttributes(reference.Method.GetAttributes())),
                _ => new Handler(null, InstrumentationChoice.Unspecified),
            };
        }

        return new Handler(null, InstrumentationChoice.Unspecified);
    }
}
