// Simple dual-port RAM: one write port, one read port, one clock, registered
// read (the read data of address `raddr` appears the cycle after `re` and is
// held while `re` is low). This is the template Yosys (memory_libmap) and
// Vivado infer as block RAM (RAMB36/RAMB18), UltraRAM (URAM288, STYLE
// "ultra") or distributed RAM (STYLE "distributed"); every buffer of the
// accelerator (reference §2.2) is one or more of these.
module bram_sdp #(
  parameter integer WIDTH  = 128,
  parameter integer DEPTH  = 1024,
  parameter integer ADDR_W = 10,
  parameter integer STYLE  = 0       // 0 block RAM, 1 UltraRAM, 2 distributed RAM
) (
  input  wire              clk,
  input  wire              we,
  input  wire [ADDR_W-1:0] waddr,
  input  wire [WIDTH-1:0]  wdata,
  input  wire              re,
  input  wire [ADDR_W-1:0] raddr,
  output wire [WIDTH-1:0]  rdata
);
  generate
    if (STYLE == 1) begin : g_ultra
      (* ram_style = "ultra" *) reg [WIDTH-1:0] mem [0:DEPTH-1];
      reg [WIDTH-1:0] q;
      always @(posedge clk) begin
        if (we) mem[waddr] <= wdata;
        if (re) q <= mem[raddr];
      end
      assign rdata = q;
    end else if (STYLE == 2) begin : g_distributed
      (* ram_style = "distributed" *) reg [WIDTH-1:0] mem [0:DEPTH-1];
      reg [WIDTH-1:0] q;
      always @(posedge clk) begin
        if (we) mem[waddr] <= wdata;
        if (re) q <= mem[raddr];
      end
      assign rdata = q;
    end else begin : g_block
      (* ram_style = "block" *) reg [WIDTH-1:0] mem [0:DEPTH-1];
      reg [WIDTH-1:0] q;
      always @(posedge clk) begin
        if (we) mem[waddr] <= wdata;
        if (re) q <= mem[raddr];
      end
      assign rdata = q;
    end
  endgenerate
endmodule
