package dev.plateau.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * What SmolVLA, pi0 and pi0.5 share: camera images as one pixel batch, and the layer loop of a VLM and an action expert run
 * side by side (both layers' weights loaded once per layer, each sample through them in turn, the outputs of the
 * prefix as {@code vlm} and of the suffix as {@code expert}).
 */
final class TwoStreams {
    private TwoStreams() {
    }

    /** One joint layer applied to one sample: the new prefix and suffix. */
    @FunctionalInterface
    interface Layer {
        /**
         * @param sample   the sample's index in the batch
         * @param position the layer's index among the layers run (its index in a pruned model)
         */
        NDArray[] apply(JointStream vlm, JointStream expert, NDArray prefix, NDArray suffix, int sample,
                        int position, NDManager step);
    }

    /** Loads the VLM and expert streams of a layer. */
    @FunctionalInterface
    interface Streams {
        JointStream[] load(int layer, NDManager step);
    }

    /** Every sample's camera images as [images, 3, H, W], sample by sample in camera order. */
    static NDArray pixels(List<VlaSample> samples, NDManager manager) {
        List<float[][][]> all = samples.stream().flatMap(s -> s.images().stream()).toList();
        if (all.isEmpty()) {
            throw new IllegalArgumentException("a VLA needs at least one camera image per sample");
        }
        int h = all.getFirst()[0].length;
        int w = all.getFirst()[0][0].length;
        float[] pixels = new float[all.size() * 3 * h * w];
        int at = 0;
        for (float[][][] image : all) {
            for (float[][] channel : image) {
                for (float[] row : channel) {
                    System.arraycopy(row, 0, pixels, at, w);
                    at += w;
                }
            }
        }
        return manager.create(pixels, new Shape(all.size(), 3, h, w));
    }

    /** Runs {@code depth} layers (skipping {@code skip}) over every sample's prefix and suffix, in place. */
    static void run(int depth, Set<Integer> skip, List<NDArray> prefixes, List<NDArray> suffixes, Streams streams,
                    Layer layer, LayerSink sink, NDManager run, BooleanSupplier cancelled,
                    DecoderStack.Progress progress) {
        emit(sink, "vlm", -1, prefixes);
        emit(sink, "expert", -1, suffixes);
        int position = 0;
        for (int index = 0; index < depth; index++) {
            if (cancelled.getAsBoolean()) {
                throw new CancellationException("calibration cancelled");
            }
            if (skip.contains(index)) {
                progress.layerDone("vlm", index, depth);
                continue;
            }
            List<NDArray> previous = new ArrayList<>();
            try (NDManager step = run.newSubManager()) {
                JointStream[] pair = streams.load(index, step);
                for (int b = 0; b < prefixes.size(); b++) {
                    NDArray prefix = prefixes.get(b);
                    NDArray suffix = suffixes.get(b);
                    prefix.tempAttach(step);
                    suffix.tempAttach(step);
                    NDArray[] out = layer.apply(pair[0], pair[1], prefix, suffix, b, position, step);
                    out[0].attach(run);
                    out[1].attach(run);
                    prefixes.set(b, out[0]);
                    suffixes.set(b, out[1]);
                    previous.add(prefix);
                    previous.add(suffix);
                }
            }
            previous.forEach(NDArray::close);
            position++;
            emit(sink, "vlm", index, prefixes);
            emit(sink, "expert", index, suffixes);
            progress.layerDone("vlm", index, depth);
        }
    }

    /**
     * A joint layer: queries, keys and values of both streams (each from its own normalised input and weights),
     * concatenated along the sequence with the prefix first, rotated with {@code rotary} ([2, prefix + suffix, d]),
     * one grouped-query attention under the additive {@code mask}, then each stream's own output projection and MLP
     * on its rows. Returns the new prefix and suffix.
     */
    static NDArray[] joint(JointStream vlm, JointStream expert, NDArray prefix, NDArray suffix, int heads, int kvHeads,
                           int headDim, NDArray rotary, NDArray mask) {
        int lp = Math.toIntExact(prefix.getShape().get(0));
        NDArray hv = vlm.normed(prefix);
        NDArray he = expert.normed(suffix);
        NDArray q = NDArrays.concat(new NDList(JointStream.heads(vlm.queries(hv), heads, headDim),
                JointStream.heads(expert.queries(he), heads, headDim)), 1);
        NDArray k = NDArrays.concat(new NDList(JointStream.heads(vlm.keys(hv), kvHeads, headDim),
                JointStream.heads(expert.keys(he), kvHeads, headDim)), 1);
        NDArray v = NDArrays.concat(new NDList(JointStream.heads(vlm.values(hv), kvHeads, headDim),
                JointStream.heads(expert.values(he), kvHeads, headDim)), 1);
        NDArray attended = attend(Blocks.rotate(q, rotary), Blocks.rotate(k, rotary), v, mask, headDim);
        return new NDArray[] {vlm.finish(prefix, attended.get(new NDIndex(":" + lp))),
                expert.finish(suffix, attended.get(new NDIndex(lp + ":")))};
    }

    /** Grouped-query attention of one sample: [heads, T, d] queries; returns [T, heads * d]. */
    static NDArray attend(NDArray q, NDArray k, NDArray v, NDArray mask, int headDim) {
        NDArray out = Blocks.attend(q.expandDims(0), k.expandDims(0), v.expandDims(0), mask, 1 / Math.sqrt(headDim))
                .squeeze(0);
        Shape s = out.getShape();
        return out.transpose(1, 0, 2).reshape(s.get(1), s.get(0) * s.get(2));
    }

    /** All samples' states of a module, concatenated, to the sink. */
    static void emit(LayerSink sink, String module, int layer, List<NDArray> perSample) {
        try (NDManager scope = perSample.getFirst().getManager().newSubManager()) {
            NDArray all = NDArrays.concat(new NDList(perSample));
            all.attach(scope);
            sink.accept(module, layer, all);
        }
    }
}
