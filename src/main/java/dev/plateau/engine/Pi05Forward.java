package dev.plateau.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.plateau.checkpoint.Checkpoint;
import dev.plateau.model.ModelSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * pi0.5's training-mode forward pass (LeRobot's PI05Pytorch, float32), layer by layer: the PaliGemma prefix (images,
 * then the prompt, which carries the discretised state; {@link PaliGemmaPrefix}), and a suffix of the 50 noisy
 * action tokens only (action_in_proj(x_t)). The time conditions the expert instead: its sinusoidal embedding through
 * time_mlp_in, SiLU, time_mlp_out, SiLU gives c, and every expert layer's adaptive norms map c to scale, shift and a
 * gate on each residual update (adaRMS); the VLM's layers are pi0's. Masks: the prefix at level 0, every action at 1
 * (its flags are 1, 0, 0, ...), so the prefix never sees the actions and the actions see everything.
 */
public final class Pi05Forward {
    private final Checkpoint checkpoint;
    private final PaliGemmaPrefix paliGemma;

    public Pi05Forward(Checkpoint checkpoint, ModelSpec spec) {
        this.checkpoint = checkpoint;
        this.paliGemma = new PaliGemmaPrefix(checkpoint, spec);
    }

    /** Image tokens per camera: one per patch. */
    public int imageTokens() {
        return paliGemma.imageTokens();
    }

    /** Runs the samples; vision, vlm (prefix) and expert (actions) layer outputs go to the sink. */
    public void run(List<VlaSample> samples, Set<Integer> skip, LayerSink sink, NDManager manager,
                    BooleanSupplier cancelled, DecoderStack.Progress progress) {
        try (NDManager run = manager.newSubManager()) {
            List<NDArray> prefixes = paliGemma.prefixes(samples, sink, run);
            String policy = paliGemma.policy();
            List<NDArray> suffixes = new ArrayList<>();
            List<NDArray> conditions = new ArrayList<>();
            NDArray inWeight = Tensors.load(checkpoint, policy + "time_mlp_in.weight", run);
            NDArray inBias = Tensors.load(checkpoint, policy + "time_mlp_in.bias", run);
            NDArray outWeight = Tensors.load(checkpoint, policy + "time_mlp_out.weight", run);
            NDArray outBias = Tensors.load(checkpoint, policy + "time_mlp_out.bias", run);
            for (VlaSample s : samples) {
                suffixes.add(ActionSuffix.noisyActions(checkpoint, policy, s, run));
                NDArray hidden = Blocks.silu(Blocks.linear(paliGemma.time(s.time(), run), inWeight, inBias));
                conditions.add(Blocks.silu(Blocks.linear(hidden, outWeight, outBias)));
            }
            TwoStreams.run(paliGemma.depth(), skip, prefixes, suffixes, paliGemma::streams,
                    (vlm, expert, prefix, suffix, sample, position, step) -> {
                        int[] levels = new int[Math.toIntExact(suffix.getShape().get(0))];
                        Arrays.fill(levels, 1);
                        NDArray condition = conditions.get(sample);
                        condition.tempAttach(step);
                        return paliGemma.joint(vlm, expert.conditioned(condition), prefix, suffix, levels, step);
                    },
                    sink, run, cancelled, progress);
        }
    }
}
