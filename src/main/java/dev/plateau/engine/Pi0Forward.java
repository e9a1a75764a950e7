package dev.plateau.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.model.ModelSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * pi0's training-mode forward pass (LeRobot's PI0Pytorch, float32), layer by layer: the PaliGemma prefix (images,
 * language; {@link PaliGemmaPrefix}), then 18 joint layers in which the prefix runs through the PaliGemma layer and
 * the suffix (state token, 50 action tokens) through the expert's, with one attention over both: Gemma RMSNorm
 * (1 + w), GELU-tanh MLPs. Masks from cumulative flags: prefix 0, state 1, first action 1, the other actions 0, so the
 * prefix is bidirectional and never sees the suffix, and the actions see each other and the state.
 */
public final class Pi0Forward {
    private final Checkpoint checkpoint;
    private final PaliGemmaPrefix paliGemma;

    public Pi0Forward(Checkpoint checkpoint, ModelSpec spec) {
        this.checkpoint = checkpoint;
        this.paliGemma = new PaliGemmaPrefix(checkpoint, spec);
    }

    /** Image tokens per camera: one per patch. */
    public int imageTokens() {
        return paliGemma.imageTokens();
    }

    /** Runs the samples; vision, vlm (prefix) and expert (state and actions) layer outputs go to the sink. */
    public void run(List<VlaSample> samples, Set<Integer> skip, LayerSink sink, NDManager manager,
                    BooleanSupplier cancelled, DecoderStack.Progress progress) {
        try (NDManager run = manager.newSubManager()) {
            List<NDArray> prefixes = paliGemma.prefixes(samples, sink, run);
            String policy = paliGemma.policy();
            List<NDArray> suffixes = new ArrayList<>();
            NDArray stateWeight = Tensors.load(checkpoint, policy + "state_proj.weight", run);
            NDArray stateBias = Tensors.load(checkpoint, policy + "state_proj.bias", run);
            int stateDim = Math.toIntExact(stateWeight.getShape().get(1));
            for (VlaSample s : samples) {
                float[] padded = new float[stateDim];
                System.arraycopy(s.state(), 0, padded, 0, Math.min(padded.length, s.state().length));
                NDArray state = Blocks.linear(run.create(padded, new Shape(1, padded.length)), stateWeight,
                        stateBias);
                suffixes.add(NDArrays.concat(new NDList(state, paliGemma.actionTokens(s, run))));
            }
            TwoStreams.run(paliGemma.depth(), skip, prefixes, suffixes, paliGemma::streams,
                    (vlm, expert, prefix, suffix, sample, position, step) -> paliGemma.joint(vlm, expert, prefix,
                            suffix, levels(Math.toIntExact(suffix.getShape().get(0))), step),
                    sink, run, cancelled, progress);
        }
    }

    /** The state at level 1, the first action at 1 and the others at 2: actions see the state, not the reverse. */
    private static int[] levels(int suffix) {
        int[] levels = new int[suffix];
        Arrays.fill(levels, 2);
        levels[0] = 1;
        return levels;
    }
}
