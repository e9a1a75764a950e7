/**
 * Layer similarity on the calibration device: exact linear CKA (token or feature space, whichever is cheaper,
 * computing only what the symmetry of Gram matrices does not give for free), unbiased minibatch CKA as a streaming
 * accumulator, the other criteria of the paper and its peers (cosine, MSE, angular distance, Block Influence), PCA by
 * subspace iteration, and the activation and analysis files.
 *
 * <p>Tensor work runs on DJL NDArrays (libtorch), in float32 where products are formed and float64 where sums of
 * many of them are taken. Results never hold NaN: degenerate inputs get a defined value and a note.
 */
package dev.plateau.analysis;
