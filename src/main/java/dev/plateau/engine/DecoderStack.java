package dev.plateau.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.plateau.checkpoint.Checkpoint;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * A decoder-only language model run layer by layer over a batch of token sequences (right-padded, causal): token
 * embeddings (times sqrt(hidden) for Gemma), then every layer not in the skip set. Each layer's weights are loaded,
 * used once for the whole batch and freed; the outputs of the non-padding tokens go to the sink.
 */
public final class DecoderStack {
    private final Checkpoint checkpoint;
    private final DecoderConfig config;
    private final String module;
    private final String layerPrefix;
    private final int depth;
    private final String embeddings;

    /**
     * @param layerPrefix tensor prefix of layer 0 without the index, e.g. {@code model.layers.}
     * @param embeddings  name of the token embedding table
     */
    public DecoderStack(Checkpoint checkpoint, DecoderConfig config, String module, String layerPrefix, int depth,
                        String embeddings) {
        this.checkpoint = checkpoint;
        this.config = config;
        this.module = module;
        this.layerPrefix = layerPrefix;
        this.depth = depth;
        this.embeddings = embeddings;
    }

    /**
     * Runs {@code sequences} (token ids; at least one token each) through the model, skipping the layers in
     * {@code skip}. Layer outputs (and the embeddings, as layer -1) go to {@code sink}; {@code cancelled} is polled
     * between layers.
     */
    public void run(List<int[]> sequences, Set<Integer> skip, LayerSink sink, NDManager manager,
                    BooleanSupplier cancelled, Progress progress) {
        int batch = sequences.size();
        int[] lengths = sequences.stream().mapToInt(s -> s.length).toArray();
        int tokens = Arrays.stream(lengths).max().orElse(0);
        if (tokens == 0 || Arrays.stream(lengths).anyMatch(l -> l == 0)) {
            throw new IllegalArgumentException("every calibration sample needs at least one token");
        }
        try (NDManager run = manager.newSubManager()) {
            int[] ids = new int[batch * tokens];
            for (int b = 0; b < batch; b++) {
                System.arraycopy(sequences.get(b), 0, ids, b * tokens, lengths[b]);
            }
            NDArray hidden = Tensors.rows(checkpoint, embeddings, ids, run).reshape(batch, tokens, config.hidden());
            if (config.scaleEmbeddings()) {
                hidden = hidden.mul((float) Math.sqrt(config.hidden()));
            }
            layers(hidden, lengths, skip, sink, run, cancelled, progress);
        }
    }

    /**
     * Runs embeddings given directly (one [tokens, hidden] array per sample, e.g. with image features scattered in)
     * through the layers, as {@link #run} does after its lookup.
     */
    public void runEmbedded(List<float[][]> embedded, Set<Integer> skip, LayerSink sink, NDManager manager,
                            BooleanSupplier cancelled, Progress progress) {
        int batch = embedded.size();
        int[] lengths = embedded.stream().mapToInt(e -> e.length).toArray();
        int tokens = Arrays.stream(lengths).max().orElse(0);
        float[] values = new float[batch * tokens * config.hidden()];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < lengths[b]; t++) {
                System.arraycopy(embedded.get(b)[t], 0, values, (b * tokens + t) * config.hidden(), config.hidden());
            }
        }
        try (NDManager run = manager.newSubManager()) {
            layers(run.create(values, new Shape(batch, tokens, config.hidden())), lengths, skip, sink, run, cancelled,
                    progress);
        }
    }

    private void layers(NDArray hidden, int[] lengths, Set<Integer> skip, LayerSink sink, NDManager run,
                        BooleanSupplier cancelled, Progress progress) {
        int tokens = Math.toIntExact(hidden.getShape().get(1));
        NDArray rotary = Rotary.tables(run, tokens, config.headDim(), config.ropeTheta(), config.ropeScaling());
        NDArray mask = Blocks.mask(run, lengths, tokens, true);
        NDArray valid = validRows(run, lengths, tokens);
        emit(sink, -1, hidden, valid);
        for (int layer = 0; layer < depth; layer++) {
            if (cancelled.getAsBoolean()) {
                throw new CancellationException("calibration cancelled");
            }
            if (skip.contains(layer)) {
                progress.layerDone(module, layer, depth);
                continue;
            }
            NDArray previous = hidden;
            try (NDManager step = run.newSubManager()) {
                DecoderLayer weights = new DecoderLayer(checkpoint, layerPrefix + layer + ".", config, step);
                previous.tempAttach(step);
                hidden = weights.forward(previous, rotary, mask);
                hidden.attach(run);
            }
            previous.close();
            emit(sink, layer, hidden, valid);
            progress.layerDone(module, layer, depth);
        }
    }

    /** Indices of the non-padding tokens in the flattened [B * T] batch, sample by sample. */
    private static NDArray validRows(NDManager manager, int[] lengths, int tokens) {
        long[] rows = new long[Arrays.stream(lengths).sum()];
        int n = 0;
        for (int b = 0; b < lengths.length; b++) {
            for (int t = 0; t < lengths[b]; t++) {
                rows[n++] = (long) b * tokens + t;
            }
        }
        return manager.create(rows);
    }

    private void emit(LayerSink sink, int layer, NDArray hidden, NDArray valid) {
        try (NDManager scope = hidden.getManager().newSubManager()) {
            Shape s = hidden.getShape();
            NDArray flat = hidden.reshape(s.get(0) * s.get(1), s.get(2));
            flat.attach(scope);
            NDArray states = flat.get(new NDIndex("{}", valid));
            states.attach(scope);
            sink.accept(module, layer, states);
        }
    }

    /** Told after every layer (skipped ones too). */
    @FunctionalInterface
    public interface Progress {
        void layerDone(String module, int layer, int depth);

        Progress NONE = (module, layer, depth) -> { };
    }
}
