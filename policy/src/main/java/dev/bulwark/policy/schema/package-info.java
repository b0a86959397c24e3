/**
 * Cedar schemas: the entity types, actions and common types an application declares, read from
 * either of Cedar's schema formats (the Cedar format {@code .cedarschema} and the JSON format), and
 * the conformance checks a schema provides for requests and entities.
 *
 * <p>Start at {@link dev.bulwark.policy.schema.Schema#parseCedar(String)} or {@link
 * dev.bulwark.policy.schema.Schema#parseJson(String)}.
 */
package dev.bulwark.policy.schema;
