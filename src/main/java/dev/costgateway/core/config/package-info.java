/**
 * {@code config.yaml}: {@link dev.costgateway.core.config.ConfigLoader} validates a file into an immutable
 * {@link dev.costgateway.core.config.GatewayConfig} (absent keys take the bundled commented defaults), reporting
 * every problem with file, line and key; {@link dev.costgateway.core.config.YamlConfigEditor} edits the text in
 * place for the settings form, keeping comments, order and unknown keys. Records are immutable and thread-safe;
 * durations are {@link java.time.Duration}s, sizes bytes, prices USD per million tokens.
 */
package dev.costgateway.core.config;
