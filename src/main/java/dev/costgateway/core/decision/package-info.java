/**
 * The vocabulary the request pipeline shares between its stages: {@link dev.costgateway.core.decision.RouteDecision}
 * (where a request goes and why), {@link dev.costgateway.core.decision.ClassifierLayer} and
 * {@link dev.costgateway.core.decision.CacheKind}. A leaf package of immutable values: the proxy and the routing
 * package both import it, so the proxy never needs to import {@code routing} or {@code cache}
 * (docs/adr/0006-one-route-decision-in-a-shared-package.md). Imports only {@code api} and {@code config}.
 */
package dev.costgateway.core.decision;
