package dev.plateau.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plateau.checkpoint.Json;
import java.util.List;

/**
 * The tokenizer.json of synthetic checkpoints: a Hugging Face word-level tokenizer (lower-casing, whitespace and
 * punctuation split) over the words of robot instructions, ids below every synthetic vocabulary's size.
 */
final class SyntheticTokenizer {
    static final List<String> WORDS = List.of("[UNK]", "<s>", "pick", "up", "the", "red", "green", "blue", "yellow",
            "cube", "block", "bowl", "cup", "plate", "put", "place", "it", "in", "on", "into", "onto", "open", "close",
            "drawer", "door", "top", "left", "right", "push", "pull", "move", "to", "a", "and", "then", "stack",
            "towel", "fold", "wipe", "table", "turn", "knob", "stove", "sink", "lift", "slide", "handle", "of", ".",
            ",");

    private SyntheticTokenizer() {
    }

    static String json() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        root.putArray("added_tokens");
        root.putObject("normalizer").put("type", "Lowercase");
        root.putObject("pre_tokenizer").put("type", "Whitespace");
        root.putNull("post_processor");
        root.putNull("decoder");
        ObjectNode model = root.putObject("model");
        model.put("type", "WordLevel");
        ObjectNode vocab = model.putObject("vocab");
        for (int i = 0; i < WORDS.size(); i++) {
            vocab.put(WORDS.get(i), i);
        }
        model.put("unk_token", "[UNK]");
        return root.toPrettyString() + "\n";
    }
}
