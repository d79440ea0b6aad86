// The shared control-plane pieces the dashboard uses almost everywhere.
global using Codis.Cluster.Coordinator;
global using Codis.Cluster.Hosting;
global using Codis.Cluster.Logging;
global using Codis.Cluster.Net;
global using Codis.Cluster.Rpc;
global using Codis.Core.Topology;
