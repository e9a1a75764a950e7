/**
 * Layer similarity on the calibration device: exact linear CKA (token or feature space, whichever is cheaper,
 * computing only what the symmetry of Gram matrices does not give for free), unbiased minibatch CKA as a streaming
 * accumulator, the other criteria of the paper and its peers (cosine, MSE, angular distance, Block Influence), PCA by
 * subspace iteration, and the activation and analysis files. For a calibration run the same similarities come from
 * streamed statistics ({@link dev.plateau.analysis.StreamedStatistics}): exact co-moments merged batch by batch, per
 * token type, token-wise running sums, and a seeded bottom-k token sample; they are saved beside the run's analysis
 * and merge with a later run's.
 *
 * <p>Tensor work runs on DJL NDArrays (libtorch), in float32 where products are formed and float64 where sums of
 * many of them are taken. Results never hold NaN: degenerate inputs get a defined value and a note.
 */
package dev.plateau.analysis;
