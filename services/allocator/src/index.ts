/** @packageDocumentation Runs the instances assigned to this host through a container runtime */
export {};
