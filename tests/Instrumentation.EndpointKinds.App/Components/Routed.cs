using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;

namespace Instrumentation.EndpointKinds.App.Components;

/// <summary>A component routed by its attribute rather than a .razor file's @page.</summary>
[Route("/routed")]
public sealed class Routed : ComponentBase
{
    protected override void BuildRenderTree(RenderTreeBuilder builder) => builder.AddContent(0, "routed");
}
