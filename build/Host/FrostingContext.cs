using Cake.Core;

namespace Cake.Frosting;

/// <summary>Base of a typed build context: the Cake context plus whatever the build adds. Mirrors Cake.Frosting.</summary>
public class FrostingContext(ICakeContext context) : CakeContextAdapter(context);
