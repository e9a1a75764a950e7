package dev.plateau.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.plateau.checkpoint.Checkpoint;

/**
 * The action tokens of SmolVLA and pi0: the noisy actions x_t = t noise + (1 - t) actions through action_in_proj,
 * next to the time's sinusoidal embedding [sin(t w), cos(t w)] (w_j = 2 pi / period_j, periods geometric from
 * min_period to max_period, computed in float64), then action_time_mlp_out(SiLU(action_time_mlp_in(.))).
 */
final class ActionSuffix {
    private ActionSuffix() {
    }

    /** @param policy prefix of the policy's projections ({@code model.} in LeRobot checkpoints, empty in openpi's) */
    static NDArray embed(Checkpoint checkpoint, String policy, VlaSample s, int width, double minPeriod,
                         double maxPeriod, NDManager run) {
        NDArray embedded = noisyActions(checkpoint, policy, s, run);
        int chunk = s.noise().length;
        NDArray both = NDArrays.concat(new NDList(embedded, time(s.time(), width, minPeriod, maxPeriod, run)
                .broadcast(new Shape(chunk, width))), 1);
        NDArray hidden = Blocks.silu(Blocks.linear(both, Tensors.load(checkpoint, policy + "action_time_mlp_in.weight",
                run), Tensors.load(checkpoint, policy + "action_time_mlp_in.bias", run)));
        return Blocks.linear(hidden, Tensors.load(checkpoint, policy + "action_time_mlp_out.weight", run),
                Tensors.load(checkpoint, policy + "action_time_mlp_out.bias", run));
    }

    /** action_in_proj(x_t) of the sample's chunk, x_t = t noise + (1 - t) actions: [chunk, width]. */
    static NDArray noisyActions(Checkpoint checkpoint, String policy, VlaSample s, NDManager run) {
        int chunk = s.noise().length;
        int dims = s.noise()[0].length;
        float[] xt = new float[chunk * dims];
        for (int i = 0; i < chunk; i++) {
            for (int j = 0; j < dims; j++) {
                xt[i * dims + j] = s.time() * s.noise()[i][j] + (1 - s.time()) * s.actions()[i][j];
            }
        }
        return Blocks.linear(run.create(xt, new Shape(chunk, dims)),
                Tensors.load(checkpoint, policy + "action_in_proj.weight", run),
                Tensors.load(checkpoint, policy + "action_in_proj.bias", run));
    }

    /** The time's sinusoidal embedding [sin(t w_j), cos(t w_j)], [1, width], computed in float64. */
    static NDArray time(float t, int width, double minPeriod, double maxPeriod, NDManager run) {
        int half = width / 2;
        float[] time = new float[width];
        for (int j = 0; j < half; j++) {
            double fraction = half == 1 ? 0 : (double) j / (half - 1);
            double period = minPeriod * Math.pow(maxPeriod / minPeriod, fraction);
            double angle = t * (2 * Math.PI / period);
            time[j] = (float) Math.sin(angle);
            time[j + half] = (float) Math.cos(angle);
        }
        return run.create(time, new Shape(1, width));
    }
}
