using Instrumentation.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Instrumentation.Generator.Parsing.Kinds;

/// <summary>
/// Reads <c>MapGrpcService&lt;T&gt;()</c> and <c>MapHub&lt;T&gt;(pattern)</c> calls. A gRPC service's methods come from
/// the base class Grpc.Tools generated from the .proto (it is in the compilation, marked <c>[BindServiceMethod]</c>);
/// a hub's from its public instance methods, as SignalR discovers them.
/// </summary>
internal static class RpcServiceParser
{
    public const string MapGrpcService = "MapGrpcService";
    public const string MapHub = "MapHub";
    private const string GrpcExtensions = "GrpcEndpointRouteBuilderExtensions";
    private const string HubExtensions = "HubEndpointRouteBuilderExtensions";
    private const string GrpcCoreNamespace = "Grpc.Core";
    private const string BindServiceMethodAttribute = "BindServiceMethodAttribute";
    private const string SignalRNamespace = "Microsoft.AspNetCore.SignalR";
    private const string HubMethodNameAttribute = "HubMethodNameAttribute";

    // Grpc.Tools keeps the service's full name in this field of the class that contains the generated base.
    private const string ServiceNameField = "__ServiceName";

    public static bool IsCandidate(SyntaxNode node, CancellationToken cancellationToken) =>
        node is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name: GenericNameSyntax name } }
        && name.Identifier.ValueText is MapGrpcService or MapHub;

    public static RpcServiceSpec? Parse(InvocationExpressionSyntax call, SemanticModel model, CancellationToken cancellationToken) =>
        ParseWithSite(call, model, cancellationToken)?.Spec;

    /// <summary>The spec and the service or hub class, where the analyzers put INSTR001 and its code fix.</summary>
    public static (RpcServiceSpec Spec, INamedTypeSymbol Service)? ParseWithSite(InvocationExpressionSyntax call, SemanticModel model, CancellationToken cancellationToken)
    {
        if (model.GetOperation(call, cancellationToken) is not IInvocationOperation invocation
            || invocation.TargetMethod is not { IsGenericMethod: true, TypeArguments.Length: 1 } method
            || method.TypeArguments[0] is not INamedTypeSymbol service)
        {
            return null;
        }

        var isGrpc = method.Name == MapGrpcService && KnownSymbols.Is(method.ContainingType, KnownSymbols.BuilderNamespace, GrpcExtensions);
        var isHub = method.Name == MapHub && KnownSymbols.Is(method.ContainingType, KnownSymbols.BuilderNamespace, HubExtensions);
        if (!isGrpc && !isHub)
        {
            return null;
        }

        // Type attributes come first in the endpoint's metadata, the call's conventions after them.
        var applied = new List<InstrumentationChoice> { ClassChoice(service) };
        applied.AddRange(BuilderChains.ConventionsAppliedTo(call, model, cancellationToken));
        var choice = InstrumentationChoices.Last(applied);

        // A route group in front of the call adds a prefix only the runtime knows; it names those endpoints at startup.
        var onGroup = KnownSymbols.Receiver(invocation) is { } receiver && KnownSymbols.IsRouteGroupBuilder(KnownSymbols.Unwrap(receiver).Type);
        var spec = isGrpc ? Grpc(service, choice, onGroup, cancellationToken) : Hub(invocation, service, choice, onGroup);
        return (spec, service);
    }

    private static RpcServiceSpec Grpc(INamedTypeSymbol service, InstrumentationChoice choice, bool onGroup, CancellationToken cancellationToken)
    {
        var generatedBase = GeneratedBase(service);
        var serviceName = generatedBase is null ? null : ServiceName(generatedBase, cancellationToken);
        var methods = new List<RpcMethodSpec>();
        if (generatedBase is not null)
        {
            foreach (var member in generatedBase.GetMembers().OfType<IMethodSymbol>())
            {
                if (member is { MethodKind: MethodKind.Ordinary, IsVirtual: true, IsStatic: false, DeclaredAccessibility: Accessibility.Public })
                {
                    var implementation = Implementation(service, member) ?? member;
                    methods.Add(new RpcMethodSpec(member.Name, implementation.Name, InstrumentationChoices.FromAttributes(implementation.GetAttributes())));
                }
            }
        }

        var status = onGroup ? TemplateStatus.UnresolvedGroupPrefix
            : serviceName is null ? TemplateStatus.NonConstantPattern
            : TemplateStatus.Resolved;
        return new RpcServiceSpec(
            RpcKind.Grpc, service.Name, status == TemplateStatus.Resolved ? serviceName : null, status, methods.ToEquatableArray(), choice);
    }

    private static RpcServiceSpec Hub(IInvocationOperation invocation, INamedTypeSymbol hub, InstrumentationChoice choice, bool onGroup)
    {
        var pattern = KnownSymbols.ConstantString(KnownSymbols.Argument(invocation, "pattern")?.Value);
        string? template = null;
        var status = TemplateStatus.Resolved;
        if (onGroup)
        {
            status = TemplateStatus.UnresolvedGroupPrefix;
        }
        else if (pattern is null)
        {
            status = TemplateStatus.NonConstantPattern;
        }
        else
        {
            template = RouteNaming.NormalizeTemplate(pattern);
            if (RouteTemplateParser.Parse(template) is null)
            {
                template = null;
                status = TemplateStatus.InvalidTemplate;
            }
        }

        var methods = new List<RpcMethodSpec>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var type = hub; type is not null && !IsHubBase(type); type = type.BaseType)
        {
            foreach (var member in type.GetMembers().OfType<IMethodSymbol>())
            {
                // Overrides of the hub's own methods (OnConnectedAsync) are not invocable; SignalR checks the same.
                if (member is { MethodKind: MethodKind.Ordinary, IsStatic: false, DeclaredAccessibility: Accessibility.Public }
                    && !IsHubBase(OriginalDefinition(member).ContainingType))
                {
                    var name = HubMethodName(member) ?? member.Name;

                    // SignalR keeps the most derived method of a name (a hidden base method is not invocable).
                    if (seen.Add(name))
                    {
                        methods.Add(new RpcMethodSpec(name, member.Name, InstrumentationChoices.FromAttributes(member.GetAttributes())));
                    }
                }
            }
        }

        return new RpcServiceSpec(RpcKind.Hub, hub.Name, template, status, methods.ToEquatableArray(), choice);
    }

    /// <summary>The attributes of the class and its bases, outermost base first, the most derived applied last.</summary>
    private static InstrumentationChoice ClassChoice(INamedTypeSymbol type)
    {
        var chain = new List<INamedTypeSymbol>();
        for (var current = type; current is not null; current = current.BaseType)
        {
            chain.Add(current);
        }

        chain.Reverse();
        return InstrumentationChoices.Last(chain.Select(t => InstrumentationChoices.FromAttributes(t.GetAttributes())));
    }

    private static INamedTypeSymbol? GeneratedBase(INamedTypeSymbol service)
    {
        for (var current = service.BaseType; current is not null; current = current.BaseType)
        {
            if (current.GetAttributes().Any(a => KnownSymbols.Is(a.AttributeClass, GrpcCoreNamespace, BindServiceMethodAttribute)))
            {
                return current;
            }
        }

        return null;
    }

    private static string? ServiceName(INamedTypeSymbol generatedBase, CancellationToken cancellationToken)
    {
        if (generatedBase.ContainingType?.GetMembers(ServiceNameField).OfType<IFieldSymbol>().FirstOrDefault() is not { } field)
        {
            return null;
        }

        if (field.HasConstantValue)
        {
            return field.ConstantValue as string;
        }

        // A static readonly field: its value is the literal it is initialized with, when the generated code is in source.
        foreach (var reference in field.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is VariableDeclaratorSyntax { Initializer.Value: LiteralExpressionSyntax literal })
            {
                return literal.Token.ValueText;
            }
        }

        return null;
    }

    /// <summary>The most derived override of a generated method in the service class's hierarchy.</summary>
    private static IMethodSymbol? Implementation(INamedTypeSymbol service, IMethodSymbol generated)
    {
        for (var current = service; current is not null && !SymbolEqualityComparer.Default.Equals(current, generated.ContainingType); current = current.BaseType)
        {
            foreach (var member in current.GetMembers(generated.Name).OfType<IMethodSymbol>())
            {
                for (var overridden = member.OverriddenMethod; overridden is not null; overridden = overridden.OverriddenMethod)
                {
                    if (SymbolEqualityComparer.Default.Equals(overridden.OriginalDefinition, generated.OriginalDefinition))
                    {
                        return member;
                    }
                }
            }
        }

        return null;
    }

    private static IMethodSymbol OriginalDefinition(IMethodSymbol method)
    {
        var current = method;
        while (current.OverriddenMethod is { } overridden)
        {
            current = overridden;
        }

        return current;
    }

    private static bool IsHubBase(INamedTypeSymbol? type) =>
        type is null
        || type.SpecialType == SpecialType.System_Object
        || (type.Name == "Hub" && KnownSymbols.IsNamespace(type.ContainingNamespace, SignalRNamespace));

    private static string? HubMethodName(IMethodSymbol method) =>
        method.GetAttributes()
            .FirstOrDefault(a => KnownSymbols.Is(a.AttributeClass, SignalRNamespace, HubMethodNameAttribute))
            ?.ConstructorArguments.FirstOrDefault().Value as string;
}
