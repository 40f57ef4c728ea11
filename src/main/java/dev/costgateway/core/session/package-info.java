/**
 * Which conversation a request belongs to: the session id (from Claude Code's header, its {@code metadata.user_id},
 * or derived from the conversation's fixed opening), the project it works in, and the prompt-cache health of a
 * session's requests. Pure functions over parsed request bodies and stored records; no I/O, no state.
 */
package dev.costgateway.core.session;
