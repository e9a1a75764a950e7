package dev.plateau.model;

import dev.plateau.checkpoint.Checkpoint;

/** Recognises one family from config.json and tensor names, and describes a checkpoint of it strictly. */
interface FamilyDetector {

    /** Cheap test: does this checkpoint claim to be, or look like, this family? */
    boolean recognizes(Checkpoint checkpoint);

    /** The full description; any inconsistency is a {@link dev.plateau.checkpoint.CheckpointException}. */
    ModelSpec describe(Checkpoint checkpoint);
}
