/**
 * When and how SVIDs are renewed: the workload SVID rotator and the agent SVID rotator, both on
 * RotationPolicy, and the ports through which they ask the server to sign.
 */
package io.meshca.agent.rotation;
