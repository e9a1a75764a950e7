/**
 * Checkpoint files: the safetensors format read lazily (header first, tensor bytes memory-mapped only when asked,
 * files over 2 GB) and validated as strictly as the reference implementation; sharded checkpoints through
 * {@code model.safetensors.index.json}; a streaming, sharding, atomic writer that copies unchanged tensor bytes
 * without decoding them; dtypes and their conversion to float32; a checkpoint folder as config, weight files and
 * auxiliary files.
 *
 * <p>Depends on nothing else of Plateau. Every problem with a file a user handed us is a
 * {@link dev.plateau.checkpoint.CheckpointException} whose message names the file and what is wrong.
 */
package dev.plateau.checkpoint;
