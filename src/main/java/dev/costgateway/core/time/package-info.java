/**
 * {@link dev.costgateway.core.time.GatewayClock}: the one injected source of instants and monotonic nanos. A leaf
 * package; tests use {@code dev.costgateway.testing.ManualClock}.
 */
package dev.costgateway.core.time;
