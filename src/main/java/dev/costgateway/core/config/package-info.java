/**
 * {@code config.yaml}: {@link dev.costgateway.core.config.ConfigSchema} lists every key once (type, range or
 * choices, default, help); {@link dev.costgateway.core.config.ConfigLoader} reads a file by it into an immutable
 * {@link dev.costgateway.core.config.GatewayConfig} (absent keys take the schema's defaults), reporting every
 * problem with file, line and key; {@link dev.costgateway.core.config.ConfigValidator} checks the rules across
 * keys; {@link dev.costgateway.core.config.YamlConfigEditor} edits the text in
 * place for the settings form, keeping comments, order and unknown keys. Records are immutable and thread-safe;
 * durations are {@link java.time.Duration}s, sizes bytes, prices USD per million tokens.
 */
package dev.costgateway.core.config;
