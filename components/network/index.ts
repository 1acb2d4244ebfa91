/** What other components use of the network concern: the egress allows an app namespace gets, and their peers. */
export { dnsEgressPolicy, jaegerEgressPolicy } from "./network-policies";
export type { Peer } from "./network-policies";
