/**
 * Local sentence embeddings: {@link dev.costgateway.core.embed.Embedder} (the role),
 * {@link dev.costgateway.core.embed.OnnxEmbedder} (all-MiniLM-L6-v2, quantized, on onnxruntime with the DJL
 * HuggingFace tokenizer) and {@link dev.costgateway.core.embed.EmbedderService}, which loads the model off the
 * request path and tells whether it is ready.
 *
 * <p>Vectors are {@code float[]} of {@link dev.costgateway.core.embed.Embedder#dimensions()} components with unit
 * L2 norm, so a dot product is the cosine similarity. Everything here is thread-safe. Nothing here opens a
 * network connection: DJL is forced offline before any of its classes load.
 */
package dev.costgateway.core.embed;
