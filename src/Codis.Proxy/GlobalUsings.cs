// The shared control-plane pieces the proxy uses almost everywhere (moved from the proxy to Codis.Cluster).
global using Codis.Cluster.Hosting;
global using Codis.Cluster.Logging;
global using Codis.Cluster.Net;
global using Codis.Cluster.Rpc;
global using Codis.Cluster.Sentinel;
