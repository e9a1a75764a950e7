/**
 * What a checkpoint is: its family (SmolVLA, pi0, GR00T-N1.5, or a Hugging Face decoder LLM), detected from
 * config.json and tensor names by the family's {@link dev.plateau.model.FamilyProfile}. One profile per family
 * ({@code <Family>Profile.java}) is where a tensor name is mapped to a module: its tensor-name prefixes, depth keys and
 * rules, its export edits, attention roles and loader notes. A description lists the prunable modules (canonical name,
 * layer-name prefix, depth, hidden size, parameters per layer, the config keys that set the depth) and the rules a
 * pruning plan must keep (layer-index parity, tied depths), with every layer of a module required to store the same
 * tensors; a decoder's rotary scaling as its config states it ({@link dev.plateau.model.RopeScaling}, unknown types
 * refused). Also each family's exact tensor layout for given dimensions ({@code <Family>Layout.java}), which builds the
 * synthetic checkpoints of the tests, benchmarks and demo (small, or real-size with unwritten data).
 *
 * <p>Depends only on {@link dev.plateau.checkpoint}.
 */
package dev.plateau.model;
