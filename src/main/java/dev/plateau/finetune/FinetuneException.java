package dev.plateau.finetune;

/** A fine-tuning run that cannot be built or started (bad settings, a trainer that will not start), in one sentence. */
public final class FinetuneException extends IllegalArgumentException {
    public FinetuneException(String message) {
        super(message);
    }
}
