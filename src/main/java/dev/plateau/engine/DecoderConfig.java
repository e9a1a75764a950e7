package dev.plateau.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plateau.model.RopeScaling;

/**
 * The numbers a Llama-style decoder layer needs.
 *
 * @param hidden           residual width
 * @param heads            query heads
 * @param kvHeads          key/value heads (grouped-query attention when fewer than heads)
 * @param headDim          width of one head
 * @param eps              RMSNorm epsilon
 * @param ropeTheta        rotary base
 * @param ropeScaling      the config's rotary scaling
 * @param activation       the gate's activation
 * @param zeroCenteredNorm Gemma: RMSNorm scales by (1 + w)
 * @param scaleEmbeddings  Gemma: token embeddings are multiplied by sqrt(hidden)
 */
public record DecoderConfig(int hidden, int heads, int kvHeads, int headDim, double eps, double ropeTheta,
                            RopeScaling ropeScaling, Activation activation, boolean zeroCenteredNorm,
                            boolean scaleEmbeddings) {

    /** The MLP gate's nonlinearity. */
    public enum Activation { SILU, GELU_TANH }

    /**
     * From a Hugging Face config.json (Llama, Mistral, Qwen2, Qwen3, Gemma), with transformers' defaults; a rotary
     * scaling Plateau does not know is refused ({@link RopeScaling#of}).
     */
    public static DecoderConfig ofHuggingFace(JsonNode c) {
        int hidden = c.path("hidden_size").asInt();
        int heads = c.path("num_attention_heads").asInt();
        boolean gemma = c.path("model_type").asText().equals("gemma");
        String act = c.path("hidden_act").asText("silu");
        return new DecoderConfig(hidden, heads, c.path("num_key_value_heads").asInt(heads),
                c.path("head_dim").asInt(heads == 0 ? 0 : hidden / heads), c.path("rms_norm_eps").asDouble(1e-6),
                c.path("rope_theta").asDouble(10000), RopeScaling.of(c), gemma || act.startsWith("gelu") ? Activation.GELU_TANH
                        : Activation.SILU, gemma, gemma);
    }
}
