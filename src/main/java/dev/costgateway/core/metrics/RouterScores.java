package dev.costgateway.core.metrics;

/**
 * The router's numbers for one request, as recorded (migration V3): the two scores, the thresholds they were judged
 * by and the ceiling, so that recorded traffic can be re-thresholded later ({@code routing.WhatIf}) and the request
 * inspector can show why a tier was chosen. Numbers only: no prompt text.
 *
 * @param premium          estimated probability that the request needs the premium tier
 * @param balanced         estimated probability that it needs at least the balanced tier
 * @param model            which scoring model produced them: {@code embedding+features} or {@code features}
 * @param premiumThreshold premium score at or above this went to premium; +Infinity when nothing may
 * @param fastThreshold    balanced score below this went to fast; -Infinity when nothing may
 * @param thresholdSource  {@code share} (calibrated from the shares), {@code raw}, or one per threshold
 *                         ({@code raw/share})
 * @param ceiling          the requested model's tier ({@code fast|balanced|premium}): the router stays at or below
 */
public record RouterScores(double premium, double balanced, String model, double premiumThreshold,
                           double fastThreshold, String thresholdSource, String ceiling) {
}
