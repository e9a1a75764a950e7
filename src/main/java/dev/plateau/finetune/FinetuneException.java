package dev.plateau.finetune;

/** A fine-tuning run that cannot be built or started, with one sentence saying why. */
public final class FinetuneException extends RuntimeException {
    public FinetuneException(String message) {
        super(message);
    }
}
