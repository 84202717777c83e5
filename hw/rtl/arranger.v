// Arranger (reference §2.1, §2.6): pops unit ids in dispatch order from its
// FIFO (written by the scheduler), waits for that unit's next output beat and
// forwards it to the four AXI4-Stream masters (word q on stream q; the TLAST
// beat of a command carries TLAST = 1 on every stream), one beat per cycle.
//
// Each stream has its own output register; a beat leaves the unit FIFO only
// when every stream can take its word in this cycle (register empty or
// being read), so a stalled TREADY on any stream holds the whole output path
// without losing or reordering words.
module arranger #(
  parameter integer UNITS     = 4,
  parameter integer ARR_DEPTH = 16,
  parameter integer UID_W     = UNITS > 1 ? $clog2(UNITS) : 1   // unit id width (derived)
) (
  input  wire                 clk,
  input  wire                 rst,
  // id FIFO (scheduler side)
  input  wire                 id_push,
  input  wire [UID_W-1:0]     id_in,
  output wire                 id_full,
  // unit output FIFOs
  input  wire [UNITS*129-1:0] unit_head,
  input  wire [UNITS-1:0]     unit_empty,
  output reg  [UNITS-1:0]     unit_pop,
  // AXI4-Stream masters
  output reg  [127:0]         m_tdata,
  output reg  [3:0]           m_tvalid,
  output reg  [3:0]           m_tlast,
  input  wire [3:0]           m_tready,
  output wire                 tlast_out   // a TLAST beat is forwarded in this cycle
);

  wire             id_empty;
  wire [UID_W-1:0] id_head;
  reg              cur_valid;
  reg [UID_W-1:0]  cur_id;
  wire             id_pop;
  sync_fifo #(.WIDTH(UID_W), .DEPTH(ARR_DEPTH)) u_ids (
    .clk(clk), .rst(rst), .push(id_push), .din(id_in), .pop(id_pop), .dout(id_head),
    .empty(id_empty), .full(id_full), .count());

  wire             have = cur_valid || !id_empty;
  wire [UID_W-1:0] id = cur_valid ? cur_id : id_head;
  wire             out_free = &(~m_tvalid | m_tready);
  wire             data_ok = !unit_empty[id];
  wire             forward = have && data_ok && out_free;
  reg  [128:0]     beat;                 // head of unit `id`'s FIFO
  integer          i;
  always @(*) begin
    beat = unit_head[128:0];
    for (i = 1; i < UNITS; i = i + 1)
      if ({{(32-UID_W){1'b0}}, id} == i) beat = unit_head[129*i +: 129];
  end
  assign id_pop    = !cur_valid && !id_empty;
  assign tlast_out = forward && beat[128];

  always @(*) begin
    unit_pop = {UNITS{1'b0}};
    unit_pop[id] = forward;
  end

  always @(posedge clk) begin
    if (rst) begin
      cur_valid <= 1'b0;
      m_tvalid  <= 4'b0000;
    end else begin
      m_tvalid <= m_tvalid & ~m_tready;
      if (forward) begin
        cur_valid <= 1'b0;
        m_tdata   <= beat[127:0];
        m_tvalid  <= 4'b1111;
        m_tlast   <= {4{beat[128]}};
      end else if (id_pop) begin
        cur_valid <= 1'b1;
        cur_id    <= id_head;
      end
    end
  end
endmodule
