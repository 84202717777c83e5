// A 32-bit wrap-around event counter.
module perf_counter (
  input  wire        clk,
  input  wire        rst,
  input  wire        inc,
  output reg  [31:0] value
);
  always @(posedge clk) begin
    if (rst) value <= 32'd0;
    else if (inc) value <= value + 1'b1;
  end
endmodule
