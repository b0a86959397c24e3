/**
 * Workload identity: SPIFFE IDs, X.509-SVIDs from the Bulwark CA, kept fresh by {@link
 * dev.bulwark.sdk.workload.WorkloadIdentity}, and mutual TLS 1.3 in which each end verifies the
 * other's SVID against the trust bundle and the deny list and checks its SPIFFE ID against an
 * allow-list.
 */
package dev.bulwark.sdk.workload;
