/**
 * Authorization in the Cedar policy language (RBAC and ABAC), evaluated at the gateway for routes
 * and inside services for resources. The engine lands with the policy issue; this module exists so
 * the dependency graph has its final shape from the start.
 */
package dev.bulwark.policy;
