/**
 * Resource-level authorization in a service with Cedar policies: {@link
 * dev.bulwark.sdk.policy.ServiceAuthorizer} answers "may this principal do this action to this
 * resource?" with a {@link dev.bulwark.sdk.policy.Decision}, against a policy set that a {@link
 * dev.bulwark.sdk.policy.PolicySource} keeps current — a directory of {@code *.cedar} files ({@link
 * dev.bulwark.sdk.policy.DirectoryPolicySource}) or the platform's policy API over mutual TLS
 * ({@link dev.bulwark.sdk.policy.PolicyApiSource}).
 *
 * <p>It fails closed: with no policy set loaded, or when evaluation fails, every request is denied
 * and the reason logged. A new policy set is parsed and checked before it replaces the live one; a
 * bad one is logged and the good one stays. Decisions can be audited as {@code policy.decision}
 * events.
 */
package dev.bulwark.sdk.policy;
