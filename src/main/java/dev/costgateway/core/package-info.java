/**
 * The gateway without any user interface: {@link dev.costgateway.core.Gateway} wires configuration, proxy,
 * routing, caches, embedder and metrics, and {@link dev.costgateway.core.GatewayControl} is the one facade the
 * desktop app uses. {@link dev.costgateway.core.Observable} publishes state without JavaFX; subscribers are called
 * on the thread that changed the value and must hop to their own. Nothing under this package may import
 * JavaFX (an ArchUnit test enforces it).
 */
package dev.costgateway.core;
