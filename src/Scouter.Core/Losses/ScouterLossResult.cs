using static TorchSharp.torch;

namespace Scouter.Core.Losses;

/// <summary>
/// The SCOUTER loss and its two parts, as scalars. <see cref="Total"/> is what training back-propagates; the
/// parts are what the official training log reports. Disposing it disposes all three.
/// </summary>
/// <param name="Total"><c>Nll + λ·Area</c>.</param>
/// <param name="Nll">Negative log-likelihood of the labels under <c>log_softmax(scores)</c>.</param>
/// <param name="Area"><c>(Σ ReLU(A) / (B·K·hw))^power</c>, before λ; zero for a head without attention.</param>
public sealed record ScouterLossResult(Tensor Total, Tensor Nll, Tensor Area) : IDisposable
{
    /// <inheritdoc />
    public void Dispose()
    {
        Total.Dispose();
        Nll.Dispose();
        Area.Dispose();
    }
}
